import { forwardedClientAddress, lambdaClientAddress } from '../src/client-address.js';

describe('forwardedClientAddress', () => {
  it('is the peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(forwardedClientAddress('6.6.6.6', '10.0.0.1', 0)).toBe('10.0.0.1');
  });

  it('believes only the entries the trusted proxies wrote', () => {
    // The client wrote 6.6.6.6; the load balancer appended 198.51.100.7, the address it saw.
    expect(forwardedClientAddress('6.6.6.6, 198.51.100.7', '10.0.0.2', 1)).toBe('198.51.100.7');
    expect(forwardedClientAddress(undefined, '10.0.0.2', 3)).toBe('10.0.0.2');
  });
});

describe('lambdaClientAddress', () => {
  it('counts the source IP API Gateway appended once', () => {
    expect(lambdaClientAddress('6.6.6.6, 203.0.113.9', '203.0.113.9', 0)).toBe('203.0.113.9');
    expect(lambdaClientAddress('203.0.113.9', '203.0.113.9', 1)).toBe('203.0.113.9');
  });

  it('gives a subgraph the caller the gateway wrote, not the gateway\'s own address', () => {
    // The gateway wrote its caller; API Gateway appended the gateway's (NAT) address.
    expect(lambdaClientAddress('198.51.100.7, 34.240.1.2', '34.240.1.2', 1)).toBe('198.51.100.7');
    expect(lambdaClientAddress(undefined, '34.240.1.2', 1)).toBe('34.240.1.2');
  });
});
