import type { EdgeRecord } from '../../domain/model.js';
import type { EdgeRepository } from '../types.js';

export class InMemoryEdgeRepository implements EdgeRepository {
  private readonly edges = new Map<string, EdgeRecord>();

  async findByKey(key: string): Promise<EdgeRecord | null> {
    const edge = this.edges.get(key);
    return edge ? structuredClone(edge) : null;
  }

  async save(edge: EdgeRecord, expectedSeq: number | null): Promise<boolean> {
    if ((this.edges.get(edge.key)?.seq ?? null) !== expectedSeq) return false;
    this.edges.set(edge.key, structuredClone(edge));
    return true;
  }
}
