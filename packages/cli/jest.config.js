import preset from '../../jest.preset.js';

// Most tests run the command as several real processes one after another
// (a server, then clients): generous on a loaded machine.
export default { ...preset, testTimeout: 60_000 };
