/** One end of a TCP connection, or the address a server listens on. */
export interface TcpAddress {
  /** IP address, e.g. `127.0.0.1` or `::1`. */
  address: string;
  /** Port number. */
  port: number;
  /** `IPv4` or `IPv6`. */
  family: string;
}

/** Builds a `TcpAddress` from the fields Node reports, or undefined while they are unknown (not connected). */
export function toTcpAddress(address: string | undefined, port: number | undefined, family: string | undefined): TcpAddress | undefined {
  if (address === undefined || port === undefined) return undefined;
  return { address, port, family: family ?? (address.includes(':') ? 'IPv6' : 'IPv4') };
}
