import { Socket } from 'node:net'
import type { ConnectionEncrypter, MessageStream } from '@libp2p/interface'

/** A chunk list as the TCP connection hands it on: its pieces and their total length. */
interface ChunkList extends Iterable<Uint8Array> {
  readonly byteLength: number
}

interface SendResult {
  sentBytes: number
  canSendMore: boolean
}

/** What @libp2p/tcp's connection has beyond MessageStream: its socket and its send hook. */
interface TcpConnection {
  socket?: unknown
  sendData?: unknown
}

/**
 * @libp2p/tcp writes each piece of what Noise hands it with its own `socket.write`: a 2-byte
 * length, then the cipher's outputs (yamux header, body, 16-byte tag), so 4-5 write syscalls
 * per 64 KiB Noise message, about 70 per MiB, which cost the sender more CPU than the
 * encryption. Corked, the pieces of one hand-over leave in one `writev` (no copy). Every piece
 * is queued, as before; "can send more" is false once the socket's buffer is past its high
 * water mark, so upper layers still wait for 'drain'.
 */
function sendCorked (socket: Socket, data: ChunkList): SendResult {
  socket.cork()
  let canSendMore = true
  try {
    for (const piece of data) canSendMore = socket.write(piece) && canSendMore
  } finally {
    socket.uncork()
  }
  return { sentBytes: data.byteLength, canSendMore }
}

/**
 * Makes a TCP connection send each hand-over in one system call. Anything that is not
 * @libp2p/tcp's connection (another transport, a changed libp2p) is left as it is: the
 * batching only saves CPU, it changes no byte on the wire.
 */
export function batchSocketWrites (connection: MessageStream): void {
  const tcp = connection as unknown as TcpConnection
  const { socket } = tcp
  if (!(socket instanceof Socket) || typeof tcp.sendData !== 'function') return
  tcp.sendData = (data: ChunkList): SendResult => sendCorked(socket, data)
}

/**
 * Wraps a connection encrypter factory (Noise) so that every connection it secures has its
 * socket writes batched: the encrypter is the first to see the raw connection, inbound and
 * outbound. The encrypter itself (and so the handshake and the cipher) is unchanged.
 */
export function withBatchedWrites<Components, Extension> (factory: (components: Components) => ConnectionEncrypter<Extension>): (components: Components) => ConnectionEncrypter<Extension> {
  return (components) => {
    const encrypter = factory(components)
    const inbound = encrypter.secureInbound.bind(encrypter)
    const outbound = encrypter.secureOutbound.bind(encrypter)
    encrypter.secureInbound = async (connection, options) => {
      batchSocketWrites(connection)
      return await inbound(connection, options)
    }
    encrypter.secureOutbound = async (connection, options) => {
      batchSocketWrites(connection)
      return await outbound(connection, options)
    }
    return encrypter
  }
}
