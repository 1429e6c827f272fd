/**
 * The lab's stand-in for a public STUN server (RFC 5389 Binding only): tells a peer the address
 * and port its request came from, which behind a NAT is the NAT's mapping of the peer's ICE
 * socket. The lab namespaces cannot reach the public STUN servers WebRTC uses by default.
 *
 * Run inside a namespace: `node stun-server.ts <ip> <port>`; prints `listening` once bound.
 * (Hand-written: the npm `stun` package brings 70 packages, a CLI included, for these 40 lines.)
 */
import { createSocket } from 'node:dgram'

const MAGIC_COOKIE = 0x2112a442
const BINDING_REQUEST = 0x0001
const BINDING_SUCCESS = 0x0101
const XOR_MAPPED_ADDRESS = 0x0020
const HEADER_BYTES = 20

/** The Binding success response to `request` from `ip:port` (IPv4), or undefined for anything else. */
function bindingResponse (request: Buffer, ip: string, port: number): Buffer | undefined {
  if (request.length < HEADER_BYTES || request.readUInt16BE(0) !== BINDING_REQUEST) return undefined
  if (request.readUInt32BE(4) !== MAGIC_COOKIE) return undefined
  const octets = ip.split('.').map(Number)
  if (octets.length !== 4) return undefined
  const response = Buffer.alloc(HEADER_BYTES + 12)
  response.writeUInt16BE(BINDING_SUCCESS, 0)
  response.writeUInt16BE(12, 2)
  response.writeUInt32BE(MAGIC_COOKIE, 4)
  request.copy(response, 8, 8, HEADER_BYTES) // transaction id
  response.writeUInt16BE(XOR_MAPPED_ADDRESS, 20)
  response.writeUInt16BE(8, 22)
  response.writeUInt8(0x01, 25) // IPv4
  response.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 26)
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0
  response.writeUInt32BE((address ^ MAGIC_COOKIE) >>> 0, 28)
  return response
}

const [ip, port] = [process.argv[2], Number(process.argv[3])]
const socket = createSocket('udp4')
socket.on('message', (message, from) => {
  const response = bindingResponse(message, from.address, from.port)
  if (response !== undefined) socket.send(response, from.port, from.address)
})
socket.bind(port, ip, () => { console.log('listening') })
process.on('SIGTERM', () => { socket.close(); process.exit(0) })
