import { useEffect, useRef, type ReactNode } from 'react';

interface PagedListProps {
  children: ReactNode;
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
  /** What to say under the last item. */
  endText: string;
  /** What to say when there is nothing at all. */
  emptyText: string;
  empty: boolean;
  label: string;
}

/**
 * A list that loads its next page as its end scrolls into view, with a
 * button doing the same for keyboards and screen readers.
 */
export function PagedList({ children, hasMore, loading, onMore, endText, emptyText, empty, label }: PagedListProps) {
  const sentinel = useRef<HTMLDivElement>(null);
  const more = useRef(onMore);
  more.current = onMore;
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasMore || loading) return;
    // Starts the next page a screen before the end, so scrolling rarely waits.
    const observer = new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && more.current(), { rootMargin: '800px 0px' });
    observer.observe(element);
    return () => observer.disconnect();
    // Observed anew after each page: if the end is still in view, the next page follows.
  }, [hasMore, loading]);
  return (
    <section aria-label={label} aria-busy={loading}>
      {empty && !loading ? <p className="quiet">{emptyText}</p> : children}
      <div ref={sentinel} className="list-end">
        {hasMore ? (
          <button type="button" className="secondary" onClick={onMore} disabled={loading}>
            {loading ? 'Loading…' : 'Load more'}
          </button>
        ) : empty ? null : (
          <p className="quiet" data-testid="list-end">
            {endText}
          </p>
        )}
      </div>
    </section>
  );
}
