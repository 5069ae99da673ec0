import { createCipheriv } from 'node:crypto'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'
import { Uint8ArrayList } from 'uint8arraylist'

const CHACHA_POLY1305 = 'chacha20-poly1305'
const TAG_BYTES = 16
/** Below this the default's WASM cipher is faster than a Node cipher object (its own measurement). */
const SMALL_MESSAGE_BYTES = 1200

/**
 * Noise's default cipher, less one copy per message. For each message of up to 64 KiB the
 * default encrypts into a new buffer and then concatenates it with the 16-byte tag into a
 * second new buffer: 128 KiB allocated, 64 KiB copied, per 64 KiB sent. Those dead buffers are
 * freed only when V8 collects their owners, and were a large part of a sending site's peak
 * memory. Here the ciphertext and the tag are handed on as a list, which Noise and the socket
 * take as they are (Noise appends the pieces; the corked socket writes them in one writev).
 * The bytes on the wire are the same. Handshake, hashing and decryption are the default's.
 */
export const leanNoiseCrypto: ICryptoInterface = {
  ...defaultCrypto,
  chaCha20Poly1305Encrypt (plaintext, nonce, ad, k) {
    if (plaintext.byteLength < SMALL_MESSAGE_BYTES) return defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)
    const cipher = createCipheriv(CHACHA_POLY1305, k, nonce, { authTagLength: TAG_BYTES })
    cipher.setAAD(ad, { plaintextLength: plaintext.byteLength })
    const output = new Uint8ArrayList()
    if (plaintext instanceof Uint8Array) output.append(cipher.update(plaintext))
    else for (const piece of plaintext) output.append(cipher.update(piece))
    // chacha20-poly1305 is a stream cipher: final() has no bytes, it only computes the tag.
    cipher.final()
    output.append(cipher.getAuthTag())
    return output
  }
}
