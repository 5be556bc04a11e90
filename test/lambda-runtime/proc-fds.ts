/**
 * What a process holds open, read from /proc: its file descriptors and, for the sockets among them,
 * the TCP connections they are (matched by inode in /proc/PID/net/tcp and tcp6). Works on a stopped
 * process, so a frozen Lambda child can be inspected between invocations.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface TcpConnection {
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** ESTABLISHED, SYN_SENT, CLOSE_WAIT, LISTEN… */
  state: string;
}

const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

/** The targets of the process's open file descriptors (`socket:[123]`, `pipe:[45]`, `/tmp/x.mdb`…). */
export function openFileDescriptors(pid: number): string[] {
  const dir = `/proc/${pid}/fd`;
  const out: string[] = [];
  for (const fd of readdirSync(dir)) {
    try {
      out.push(readlinkSync(`${dir}/${fd}`));
    } catch {
      // Closed between listing and reading.
    }
  }
  return out;
}

/** `0100007F:1F90` (little-endian IPv4) or a 32-hex-digit IPv6 address with its port. */
function parseAddress(hex: string): { address: string; port: number } {
  const [ip = '', port = '0'] = hex.split(':');
  const address =
    ip.length === 8
      ? [3, 2, 1, 0].map((i) => Number.parseInt(ip.slice(i * 2, i * 2 + 2), 16)).join('.')
      : ip.toLowerCase();
  return { address, port: Number.parseInt(port, 16) };
}

/**
 * The process's TCP sockets, by state and remote end.
 *
 * @example
 * tcpConnections(child.pid).filter((c) => c.remotePort === hung.port).length; // sockets to the hung service
 */
export function tcpConnections(pid: number): TcpConnection[] {
  const inodes = new Set(openFileDescriptors(pid).flatMap((target) => /^socket:\[(\d+)\]$/.exec(target)?.[1] ?? []));
  const out: TcpConnection[] = [];
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || !inodes.has(cols[9]!)) continue;
      const local = parseAddress(cols[1]!);
      const remote = parseAddress(cols[2]!);
      out.push({
        localPort: local.port,
        remoteAddress: remote.address,
        remotePort: remote.port,
        state: TCP_STATES[cols[3]!] ?? cols[3]!,
      });
    }
  }
  return out;
}
