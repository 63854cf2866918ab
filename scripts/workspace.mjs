// The workspace's packages, where pnpm-workspace.yaml puts them: packages/*,
// examples/*, tests/* and bench. Shared by the repository's scripts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every workspace package of the checkout at `dir`: `path` (relative to `dir`) and the fields of its package.json. */
export function workspacePackages(dir) {
  return ['packages', 'examples', 'tests']
    .flatMap((group) => (existsSync(join(dir, group)) ? readdirSync(join(dir, group)).map((name) => join(group, name)) : []))
    .concat('bench')
    .filter((path) => existsSync(join(dir, path, 'package.json')))
    .map((path) => ({ path, ...JSON.parse(readFileSync(join(dir, path, 'package.json'), 'utf8')) }));
}

/** The environment of the scripts' child processes: no update boxes, telemetry notices or experimental-feature warnings between our lines. */
export const quietEnv = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: '1',
  TURBO_NO_UPDATE_NOTIFIER: '1',
  NO_UPDATE_NOTIFIER: '1',
  npm_config_update_notifier: 'false',
  NODE_OPTIONS: [process.env.NODE_OPTIONS, '--disable-warning=ExperimentalWarning'].filter(Boolean).join(' '),
};
