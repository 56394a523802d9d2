export * from './cache-contract.js';
export * from './event-bus-contract.js';
export * from './graphql-client.js';
export * from './servers.js';
export * from './accounts.js';
export * from './versioned-cache-contract.js';
export * from './live-bus-contract.js';
export * from './live-client.js';
