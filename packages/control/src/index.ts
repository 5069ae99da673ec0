export * from './messages.js'
export * from './client.js'
export * from './server.js'
export * from './units.js'
