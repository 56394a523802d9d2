import type { AuthorRecord } from '../../domain/model.js';
import type { AuthorRepository } from '../types.js';

export class InMemoryAuthorRepository implements AuthorRepository {
  private readonly authors = new Map<string, AuthorRecord>();

  async apply(author: AuthorRecord): Promise<void> {
    const stored = this.authors.get(author.id);
    if (!stored || stored.version <= author.version) this.authors.set(author.id, { ...author });
  }

  async findByIds(ids: readonly string[]): Promise<AuthorRecord[]> {
    return ids.flatMap((id) => {
      const author = this.authors.get(id);
      return author ? [{ ...author }] : [];
    });
  }
}
