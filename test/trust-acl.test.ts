import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ed25519 } from '@noble/curves/ed25519.js'
import { toString as toHex } from 'uint8arrays'
import { evaluateAcl, type AclView } from '../src/trust/acl.js'
import { controlOp, grant, invite, redeem, revoke, witness, Role, type Body } from '../src/trust/control.js'
import { controlOpId } from '../src/trust/signed.js'
import { newDocKey, docIdOf, docPublicKey, isPrivateDocId } from '../src/trust/keys.js'
import { formatLink, inviteKey, newLinkSecret, parseLink, LinkError } from '../src/trust/link.js'
import { isValidDocId, newDocId } from '../src/doc-id.js'
import type { ControlOp } from '../src/wire/trust.js'

const hex = (b: Uint8Array): string => toHex(b, 'base16')

/** A principal with its own control seq counter. */
class Who {
  readonly seed = ed25519.utils.randomSecretKey()
  readonly pub = ed25519.getPublicKey(this.seed)
  readonly key = hex(this.pub)
  private cseq = 0
  constructor (private readonly doc: Uint8Array) {}
  op (body: Body): ControlOp { return controlOp(this.doc, this.seed, ++this.cseq, body) }
}

function setup (): { doc: Uint8Array, root: Who, admin: Who, genesis: ControlOp[] } {
  const key = newDocKey()
  const root = Object.assign(new Who(key.publicKey), { seed: key.seed, pub: key.publicKey, key: hex(key.publicKey) })
  const admin = new Who(key.publicKey)
  return { doc: key.publicKey, root, admin, genesis: [root.op(grant(admin.pub, Role.ADMIN))] }
}

describe('document keys, ids and links', () => {
  test('a private id is the base32 of the root key; both id forms are valid doc ids', () => {
    const key = newDocKey()
    assert.equal(key.id.length, 52)
    assert.ok(isPrivateDocId(key.id) && isValidDocId(key.id))
    assert.deepEqual(docPublicKey(key.id), key.publicKey)
    assert.equal(docIdOf(key.publicKey), key.id)
    const open = newDocId()
    assert.ok(isValidDocId(open) && !isPrivateDocId(open))
    assert.ok(!isValidDocId(key.id.slice(1)), '51 characters is neither form')
  })

  test('links round-trip, keep the secret in the fragment, and reject tampering', () => {
    const { id } = newDocKey()
    const secret = newLinkSecret()
    const text = formatLink({ docId: id, role: 'writer', secret, peers: ['/ip4/127.0.0.1/tcp/1/p2p/12D3KooW'] })
    assert.match(text, /^weft:\/\/[a-z2-7]{52}\?peer=[^#]+#w\.[a-z2-7]+$/)
    const parsed = parseLink(text)
    assert.equal(parsed.docId, id)
    assert.equal(parsed.role, 'writer')
    assert.deepEqual(parsed.secret, secret)
    assert.deepEqual(parsed.peers, ['/ip4/127.0.0.1/tcp/1/p2p/12D3KooW'])
    assert.deepEqual(parseLink(`weft://${id}`), { docId: id, peers: [] })
    assert.throws(() => parseLink(text.replace('#w.', '#x.')), LinkError)
    assert.throws(() => parseLink(text.slice(0, -4)), LinkError)
    assert.throws(() => parseLink('https://example.com'), LinkError)
    // One secret gives different invite keys in different documents.
    assert.notDeepEqual(inviteKey(secret, id).publicKey, inviteKey(secret, newDocKey().id).publicKey)
  })
})

describe('the ACL, a pure function of the set of control ops', () => {
  test('roles: outsiders and readers cannot write, writers and admins can; root alone manages admins', () => {
    const { doc, root, admin, genesis } = setup()
    const writer = new Who(doc)
    const reader = new Who(doc)
    const outsider = new Who(doc)
    const ops = [...genesis, admin.op(grant(writer.pub, Role.WRITER)), admin.op(grant(reader.pub, Role.READER))]
    // An admin's attempt to make another admin, and an outsider's self-grant, are ignored.
    ops.push(admin.op(grant(outsider.pub, Role.ADMIN)), outsider.op(grant(outsider.pub, Role.WRITER)))
    const acl = evaluateAcl(doc, ops)
    assert.equal(acl.roleOf(root.key), 'root')
    assert.equal(acl.roleOf(admin.key), 'admin')
    assert.equal(acl.roleOf(writer.key), 'writer')
    assert.equal(acl.roleOf(reader.key), 'reader')
    assert.equal(acl.roleOf(outsider.key), 'none')
    assert.ok(acl.canWrite(admin.key, 1) && acl.canWrite(writer.key, 7))
    assert.ok(!acl.canWrite(reader.key, 1) && !acl.canWrite(outsider.key, 1))
    assert.ok(acl.canSignCheckpoint(writer.key) && !acl.canSignCheckpoint(reader.key))
    assert.deepEqual(acl.members().map(m => m.role).sort(), ['admin', 'reader', 'writer'])
  })

  test('a tampered op or one for another document is ignored', () => {
    const { doc, admin, genesis } = setup()
    const writer = new Who(doc)
    const op = admin.op(grant(writer.pub, Role.WRITER))
    const tampered = {
      ...op,
      grant: { ...op.grant!, role: Role.WRITER, subject: new Who(doc).pub as Uint8Array<ArrayBuffer> }
    }
    const other = setup()
    const elsewhere = other.admin.op(grant(writer.pub, Role.WRITER))
    const acl = evaluateAcl(doc, [...genesis, tampered, elsewhere])
    assert.equal(acl.roleOf(writer.key), 'none')
  })

  test('revocation: the revoker\'s cutoff, extended by a witness from another active writer, ' +
    'never by the subject itself', () => {
    const { doc, admin, genesis } = setup()
    const w1 = new Who(doc)
    const w2 = new Who(doc)
    const base = [...genesis, admin.op(grant(w1.pub, Role.WRITER)), admin.op(grant(w2.pub, Role.WRITER)),
      admin.op(revoke(w1.pub, 5, 0))]
    let acl = evaluateAcl(doc, base)
    assert.equal(acl.roleOf(w1.key), 'none')
    assert.ok(acl.canWrite(w1.key, 5) && !acl.canWrite(w1.key, 6), 'valid up to the cutoff the revoker saw')
    acl = evaluateAcl(doc, [...base, w1.op(witness(w1.pub, 9))])
    assert.ok(!acl.canWrite(w1.key, 6), 'the revoked key cannot witness for itself')
    acl = evaluateAcl(doc, [...base, w2.op(witness(w1.pub, 8))])
    assert.ok(acl.canWrite(w1.key, 8) && !acl.canWrite(w1.key, 9),
      'a witness extends the cutoff to what it had applied')
    // Two admins revoking concurrently with different views: the higher cutoff counts.
    acl = evaluateAcl(doc, [...base, admin.op(revoke(w1.pub, 7, 0))])
    assert.ok(acl.canWrite(w1.key, 7) && !acl.canWrite(w1.key, 8))
  })

  test('a revoked admin\'s ops up to its control cutoff stand, later ones do not; ' +
    'a re-admission must name the revoke', () => {
    const { doc, root, admin, genesis } = setup()
    const a = new Who(doc)
    const b = new Who(doc)
    const ops = [...genesis, admin.op(grant(a.pub, Role.WRITER))] // admin cseq 1
    ops.push(root.op(revoke(admin.pub, 0, 1)))
    ops.push(admin.op(grant(b.pub, Role.WRITER))) // admin cseq 2: after its cutoff
    let acl = evaluateAcl(doc, ops)
    assert.equal(acl.roleOf(admin.key), 'none')
    assert.equal(acl.roleOf(a.key), 'writer')
    assert.equal(acl.roleOf(b.key), 'none')
    const revokeA = root.op(revoke(a.pub, 3, 0))
    ops.push(revokeA, root.op(grant(a.pub, Role.WRITER, 2))) // duplicate grant not naming the revoke: ends too
    acl = evaluateAcl(doc, ops)
    assert.equal(acl.roleOf(a.key), 'none')
    ops.push(root.op(grant(a.pub, Role.READER, 1, [controlOpId(revokeA)]))) // anchored below the cutoff: invalid
    assert.equal(evaluateAcl(doc, ops).roleOf(a.key), 'none')
    ops.push(root.op(grant(a.pub, Role.WRITER, 10, [controlOpId(revokeA)])))
    acl = evaluateAcl(doc, ops)
    assert.equal(acl.roleOf(a.key), 'writer')
    assert.ok(acl.canWrite(a.key, 3) && !acl.canWrite(a.key, 6) && acl.canWrite(a.key, 11),
      'the seqs between cutoff and anchor stay void')
  })

  test('invites: redeemed with the link\'s key; a revoked invite keeps only the redemptions its revoker listed', () => {
    const { doc, admin, genesis } = setup()
    const id = docIdOf(doc)
    const secret = newLinkSecret()
    const ik = inviteKey(secret, id)
    const inv = admin.op(invite(ik.publicKey, Role.WRITER))
    const early = new Who(doc)
    const late = new Who(doc)
    const thief = new Who(doc)
    const rEarly = early.op(redeem(doc, inv, ik.seed, early.pub))
    const rLate = late.op(redeem(doc, inv, ik.seed, late.pub))
    // The thief forges a proof with a key it made up: rejected.
    const rThief = thief.op(redeem(doc, inv, ed25519.utils.randomSecretKey(), thief.pub))
    let acl = evaluateAcl(doc, [...genesis, inv, rEarly, rLate, rThief])
    assert.equal(acl.roleOf(early.key), 'writer')
    assert.equal(acl.roleOf(late.key), 'writer')
    assert.equal(acl.roleOf(thief.key), 'none')
    assert.equal(acl.invites().length, 1)
    acl = evaluateAcl(doc, [...genesis, inv, rEarly, rLate,
      admin.op(revoke(ik.publicKey, 0, 0, [controlOpId(rEarly)]))])
    assert.equal(acl.roleOf(early.key), 'writer', 'a redemption the revoker had seen stays')
    assert.equal(acl.roleOf(late.key), 'none', 'a redemption concurrent with the revoke loses')
    assert.equal(acl.invites().length, 0)
    // A reader invite cannot be redeemed into more than its role.
    const rInv = admin.op(invite(ik.publicKey, Role.READER))
    const reader = new Who(doc)
    acl = evaluateAcl(doc, [...genesis, rInv, reader.op(redeem(doc, rInv, ik.seed, reader.pub))])
    assert.equal(acl.roleOf(reader.key), 'reader')
    assert.ok(!acl.canWrite(reader.key, 1))
  })

  test('property: random op sets in random orders give identical verdicts', () => {
    const { doc, root, admin } = setup()
    const people = Array.from({ length: 5 }, () => new Who(doc))
    const everyone = [root, admin, ...people]
    const ik = inviteKey(newLinkSecret(), docIdOf(doc))
    const roles = [Role.PINNER, Role.READER, Role.WRITER, Role.ADMIN]
    // A pool of ops, each signed once; random subsets of it in random orders are evaluated.
    const pool: ControlOp[] = [root.op(grant(admin.pub, Role.ADMIN))]
    const rnd = fc.sample(fc.tuple(fc.nat(6), fc.nat(4), fc.nat(3), fc.nat(12), fc.nat(4)), { numRuns: 60, seed: 42 })
    let inv: ControlOp | undefined
    for (const [issuer, subject, role, seq, kind] of rnd) {
      const by = everyone[issuer]
      const to = people[subject]
      if (kind === 0) pool.push(by.op(grant(to.pub, roles[role], seq % 3)))
      else if (kind === 1) pool.push(by.op(revoke(to.pub, seq, seq % 4)))
      else if (kind === 2) pool.push(by.op(witness(people[(subject + 1) % 5].pub, seq)))
      else if (kind === 3) pool.push(inv = by.op(invite(ik.publicKey, roles[role])))
      else if (inv !== undefined) pool.push(to.op(redeem(doc, inv, ik.seed, to.pub)))
    }
    const verdicts = (acl: AclView): string => JSON.stringify([
      everyone.map(p => acl.roleOf(p.key)),
      everyone.map(p => Array.from({ length: 14 }, (_, s) => acl.canWrite(p.key, s + 1) ? 1 : 0).join('')),
      acl.members(), acl.invites()
    ])
    fc.assert(fc.property(fc.subarray(pool), fc.infiniteStream(fc.nat()), (subset, stream) => {
      const keys = [...stream.take(subset.length)]
      const shuffled = subset.map((op, i) => ({ op, k: keys[i] })).sort((a, b) => a.k - b.k).map(x => x.op)
      assert.equal(verdicts(evaluateAcl(doc, shuffled)), verdicts(evaluateAcl(doc, subset)))
      // Duplicates change nothing either: a set, not a multiset.
      assert.equal(verdicts(evaluateAcl(doc, [...subset, ...shuffled])), verdicts(evaluateAcl(doc, subset)))
    }), { numRuns: 100, seed: 7 })
    // Not vacuous: the full pool grants and revokes something.
    const full = evaluateAcl(doc, pool)
    assert.ok(full.members().length > 1)
  })
})
