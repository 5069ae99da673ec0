export * from './site-process.js'
export * from './tree-fixture.js'
export * from './compare-trees.js'
export * from './cluster.js'
