import { jest } from '@jest/globals';
import { Metrics, createLogger } from '@chirp/platform';

/** One definition, two outputs: Prometheus text, and CloudWatch Embedded Metric Format lines parsed back. */
describe('Metrics', () => {
  const logger = createLogger('test', 'silent');

  it('counts for Prometheus, every series labelled with the service', async () => {
    const metrics = new Metrics({ service: 'users', emf: false, logger });
    metrics.record('requests', 1, { operation: 'Me' });
    metrics.record('requests', 1, { operation: 'Me' });
    metrics.record('requestMs', 3.5, { operation: 'Me' });
    metrics.record('errors', 1, { code: 'BAD_USER_INPUT' });
    metrics.record('consumerLag', 42, { group: 'timeline.fanout' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('chirp_requests_total{operation="Me",service="users"} 2');
    expect(text).toContain('chirp_request_ms_bucket{le="5",service="users",operation="Me"} 1');
    expect(text).toContain('chirp_errors_total{code="BAD_USER_INPUT",service="users"} 1');
    expect(text).toContain('chirp_consumer_lag{group="timeline.fanout",service="users"} 42');
    await metrics.close();
  });

  it('keeps operation labels few and sane: a client names operations', () => {
    const metrics = new Metrics({ service: 'gateway', emf: false, logger });
    expect(metrics.operationLabel('Home')).toBe('Home');
    expect(metrics.operationLabel(undefined)).toBe('anonymous');
    expect(metrics.operationLabel('x'.repeat(100))).toBe('other');
    expect(metrics.operationLabel('drop table;')).toBe('other');
    for (let n = 0; n < 300; n += 1) metrics.operationLabel(`Op${n}`);
    expect(metrics.operationLabel('Op299')).toBe('other');
    expect(metrics.operationLabel('Home')).toBe('Home');
  });

  it('writes EMF lines to stdout that CloudWatch can read: namespace, dimensions, units, values', async () => {
    const metrics = new Metrics({ service: 'timeline', emf: true, logger, emfIntervalMs: 3_600_000 });
    metrics.record('requests', 1, { operation: 'Home' });
    metrics.record('requests', 1, { operation: 'Home' });
    metrics.record('requestMs', 2, { operation: 'Home' });
    metrics.record('requestMs', 4, { operation: 'Home' });
    metrics.record('fanoutFollowers', 1000, {});
    const written: string[] = [];
    // The library writes each line with console.log (stdout; Lambda's log stream).
    const spy = jest.spyOn(console, 'log').mockImplementation((line: unknown) => void written.push(String(line)));
    try {
      await metrics.close();
    } finally {
      spy.mockRestore();
    }
    const lines = written.join('\n').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>);
    const home = lines.find((line) => line.Operation === 'Home');
    expect(home?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Chirp',
      Dimensions: [expect.arrayContaining(['Service', 'Operation'])],
      Metrics: expect.arrayContaining([{ Name: 'Requests', Unit: 'Count' }, { Name: 'Latency', Unit: 'Milliseconds' }]),
    });
    expect(home).toMatchObject({ Service: 'timeline', Requests: 2, Latency: [2, 4] });
    expect(lines.find((line) => line.FanoutSize !== undefined)).toMatchObject({ Service: 'timeline', FanoutSize: 1000 });
  });
});
