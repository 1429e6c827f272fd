const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/**
 * Lowercase hex, as `uint8arrays`' base16 writes it, by table: base16 goes through a generic
 * multibase bit loop. Built with join, not `+=`: a string built by `+=` stays a chain of one cons
 * cell per byte (32 bytes of heap each) for as long as it is kept, e.g. as a map key (a 64-byte
 * signature kept that way was ~2 KiB); join makes it flat, and is faster here.
 * Not through Node's Buffer either: that needs `bytes.buffer`, and reading it off a small typed
 * array (gossipsub's 32-byte message ids) moves the array's bytes out of the V8 heap into a backing
 * store of their own; per fresh id it cost as much as the table (~0.3 µs, measured 2026-12-05).
 */
export function hex (bytes: Uint8Array): string {
  const parts = new Array<string>(bytes.byteLength)
  for (let i = 0; i < bytes.byteLength; i++) parts[i] = HEX_BYTE[bytes[i]]
  return parts.join('')
}
