export * from './address-class';
export * from './egress-policy';
export * from './endpoint-url';
export * from './egress-refused-error';
export * from './egress-agent';
export * from './egress-node-agent';
