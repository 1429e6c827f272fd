/**
 * Trust inputs from outside: invite links (text a user pastes, or a page hands over) and control
 * ops (signed access operations that arrive by gossip and in sync replies). Links go through
 * `parseLink` exactly as `weft.join` does; control ops through `DocAccess.receive`, the one door
 * the network has into a private document's access state (src/trust/doc-access.ts).
 */
import { MemoryLevel } from 'memory-level'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { Store } from '../src/store/store.js'
import { Signer } from '../src/identity/peer-key.js'
import { nodeEd25519 } from '../src/identity/ed25519-node.js'
import { WireError } from '../src/wire/codec.js'
import { DocAccess } from '../src/trust/doc-access.js'
import { LinkError, formatLink, inviteKey, parseLink } from '../src/trust/link.js'
import { Role, controlOp, grant, invite, redeem, revoke, witness } from '../src/trust/control.js'
import { controlOpId } from '../src/trust/signed.js'
import { docPublicKey, newDocKey } from '../src/trust/keys.js'
import { ControlOp } from '../src/wire/trust.js'
import { toString as toHex } from 'uint8arrays/to-string'
import { FROZEN_MS } from './fixture.js'
import type { LevelDb } from '../src/platform/platform.js'
import { mutate } from './mutate.js'
import type { Rng } from './rng.js'
import { ACCEPTED, checkNoFault, refused, type Target, type Verdict } from './target.js'

const LINK_MAX = 64 * 1024
const CONTROL_MAX = 256 * 1024
const encoder = new TextEncoder()
const decoder = new TextDecoder()

async function signer (seedByte: number): Promise<Signer> {
  return new Signer(await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(seedByte)), nodeEd25519)
}

/**
 * A private document whose admin granted, invited, witnessed and revoked: the ops are the seed
 * corpus. Every key, secret and stamp is fixed, so an input rebuilt from (seed, index) is the same.
 */
async function privateDoc (): Promise<{ access: DocAccess, ops: Uint8Array[], links: string[] }> {
  const store = new Store(
    new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' }) as unknown as LevelDb
  )
  const admin = await signer(21)
  const member = await signer(22)
  const joiner = await signer(23)
  const root = newDocKey(new Uint8Array(32).fill(9))
  const doc = docPublicKey(root.id)
  const genesis = controlOp(doc, root.seed, 1, grant(admin.publicKey, Role.ADMIN), FROZEN_MS)
  await store.putRootSeed(root.id, root.seed)
  await store.putControlOp(root.id, toHex(controlOpId(genesis), 'base16'), ControlOp.encode(genesis))
  const secret = new Uint8Array(32).fill(5)
  const invitation = controlOp(doc, admin, 2,
    invite(inviteKey(secret, root.id).publicKey, Role.WRITER), FROZEN_MS + 1)
  const ops = [
    genesis,
    controlOp(doc, admin, 1, grant(member.publicKey, Role.WRITER), FROZEN_MS),
    invitation,
    controlOp(doc, joiner, 1,
      redeem(doc, invitation, inviteKey(secret, root.id).seed, joiner.publicKey), FROZEN_MS + 2),
    controlOp(doc, member, 1, witness(admin.publicKey, 3), FROZEN_MS + 3),
    controlOp(doc, admin, 3, revoke(member.publicKey, 7, 1), FROZEN_MS + 4)
  ].map(op => ControlOp.encode(op))
  const access = await DocAccess.load(root.id, store, admin)
  const peers = ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWGRUVh2SC9mjk3XYt8EZkL3uxqcz5d8oFJ6LnPiyW6K7t']
  const links = (['writer', 'reader', 'pinner'] as const).map((role, i) =>
    formatLink({ docId: root.id, role, secret: new Uint8Array(32).fill(i + 1), peers: i === 1 ? [] : peers }))
  return { access, ops, links }
}

export async function trustTargets (): Promise<Target[]> {
  const { access, ops, links } = await privateDoc()
  const linkCorpus = [...links, `weft://${access.docId}`, 'weft://weftfuzzdocumentaaaaaaaaaa?peer=%2Fip4%2F1.2.3.4']
    .map(l => encoder.encode(l))
  return [
    {
      name: 'invite-link',
      maxBytes: LINK_MAX,
      generate: (rng: Rng) => mutate(rng, rng.pick(linkCorpus), linkCorpus, { protobuf: false, oversizeTo: LINK_MAX }),
      run: (input): Verdict => {
        try {
          const link = parseLink(decoder.decode(input))
          if (link.secret !== undefined && link.secret.byteLength !== 32) throw new Error('accepted a short secret')
          return ACCEPTED
        } catch (err) {
          // a user's mistake gets one clear line: LinkError, never whatever a decoder underneath threw
          if (!(err instanceof LinkError)) throw err
          checkNoFault('LinkError', err)
          return refused(err.message.replace(/^\S+ is not/, 'is not').split(' (')[0])
        }
      }
    },
    {
      name: 'control-op',
      maxBytes: CONTROL_MAX,
      viewCheck: true,
      generate: (rng: Rng) => mutate(rng, rng.pick(ops), ops, { protobuf: true, oversizeTo: CONTROL_MAX }),
      run: (input): Verdict => {
        try {
          access.receive(input)
          // whatever got in, the access state still answers
          void access.members()
          return ACCEPTED
        } catch (err) {
          if (!(err instanceof WireError)) throw err
          checkNoFault('WireError', err)
          return refused(err.reason)
        }
      }
    }
  ]
}
