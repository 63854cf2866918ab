/** What the stdio RPC server on the remote host answers. */
export interface RemoteApi {
  /** Where the server runs: host name, user, process id and Node version. */
  whereAmI(): { host: string; user: string; pid: number; node: string };
  add(a: number, b: number): number;
}
