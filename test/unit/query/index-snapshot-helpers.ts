import * as zlib from 'node:zlib';

/** Rebuilds a snapshot with a changed header and valid checksums (an old or foreign file). */
export function reheader(buf: Buffer, change: (header: Record<string, unknown>) => void): Buffer {
  const length = buf.readUInt32LE(8);
  const header = JSON.parse(buf.toString('utf8', 12, 12 + length)) as Record<string, unknown>;
  const headEnd = 12 + length + ((8 - ((12 + length) % 8)) % 8);
  change(header);
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  const head = Buffer.concat([
    buf.subarray(0, 8),
    len,
    json,
    Buffer.alloc((8 - ((12 + json.length) % 8)) % 8),
  ]);
  const body = buf.subarray(headEnd, buf.length - 8);
  const digest = Buffer.alloc(8);
  digest.writeUInt32LE(zlib.crc32(head), 0);
  digest.writeUInt32LE(zlib.crc32(body), 4);
  return Buffer.concat([head, body, digest]);
}
