import { SshConnection, type SshChannelPipe, type SshPipe } from '@cbor-rpc/ssh';
import { parseAuthority } from './authority.js';
import { frameStream } from './encoding.js';
import { UsageError } from './errors.js';
import { sshCredentials } from './ssh-credentials.js';
import type { Link, OpenOptions, Target, TargetKind } from './target.js';

/**
 * `ssh://[user@]host[:port]/<remote command>`: runs the command (a stdio
 * server) on the host through the user's shell; everything after the first
 * `/` is the command. `ssh+unix://[user@]host[:port]/<socket path>`: connects
 * to a unix socket on the host. The host (an ~/.ssh/config alias, say), the
 * login and the host key check are @cbor-rpc/ssh's, as `ssh` would do them,
 * but for what the flags set (`sshCredentials`).
 */
export const sshTarget: TargetKind = {
  schemes: ['ssh', 'ssh+unix'],
  parse(text, scheme, rest = ''): Target {
    const slash = rest.indexOf('/');
    const authority = parseAuthority(slash < 0 ? rest : rest.slice(0, slash), text);
    const path = slash < 0 ? '' : rest.slice(slash + 1);
    const unix = scheme === 'ssh+unix';
    if (path.trim() === '') {
      throw new UsageError(
        unix
          ? `${text}: an SSH unix socket target is ssh+unix://[user@]host[:port]/<socket path>`
          : `${text}: an SSH target is ssh://[user@]host[:port]/<remote command>`,
      );
    }
    return {
      text,
      async connect(options) {
        const ssh = await SshConnection.connect({
          host: authority.host,
          port: authority.port,
          username: authority.user,
          readyTimeoutMs: options.connectTimeoutMs,
          ...(await sshCredentials(options.ssh)),
        });
        try {
          const pipe = unix ? await ssh.openUnixConnection(`/${path}`) : (await ssh.runCommand(path)).on('stderr', options.stderr);
          return link(ssh, pipe, options);
        } catch (error) {
          await ssh.close();
          throw error;
        }
      },
      listen: () => Promise.reject(new UsageError(`${text}: serve cannot listen on an SSH target`)),
    };
  },
};

function link(ssh: SshConnection, pipe: SshPipe | SshChannelPipe, options: OpenOptions): Link {
  const messages = frameStream(options.encoding, pipe);
  return {
    messages,
    close: async () => {
      await messages.terminate();
      await ssh.close();
    },
  };
}
