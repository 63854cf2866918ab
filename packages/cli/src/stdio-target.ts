import { StdioPipe } from '@cbor-rpc/stdio';
import { frameStream } from './encoding.js';
import { UsageError } from './errors.js';
import type { Target, TargetKind } from './target.js';

/**
 * `stdio`: serve over this process's stdin and stdout, as a stdio server that
 * its client starts (`cbor-rpc call ... -- cbor-rpc serve m.js --listen stdio`,
 * or a remote command over SSH). When stdin ends, the calls still running
 * finish and their replies are written before it closes.
 */
export const stdioTarget: TargetKind = {
  schemes: ['stdio'],
  parse(text, _scheme, rest): Target {
    if (rest !== undefined && rest !== '') throw new UsageError(`${text}: the stdio target is written stdio`);
    return {
      text,
      connect: () => Promise.reject(new UsageError('stdio is a target for serve; to call a local stdio server, end the command line with -- <command>')),
      async listen(options, accept) {
        const pipe = StdioPipe.open();
        const rpc = accept('stdio', frameStream(options.encoding, pipe));
        pipe.on('end', async () => {
          await rpc.whenIdle();
          await pipe.terminate();
        });
        const finished = new Promise<void>((resolve) => rpc.once('close', () => resolve()));
        return { address: 'stdio', finished, close: () => pipe.terminate() };
      },
    };
  },
};
