import { useEffect, useRef } from 'react';
import { Composer } from '../components/Composer';
import { PagedList } from '../components/PagedList';
import { ProblemNote } from '../components/ProblemNote';
import { TweetCard } from '../components/TweetCard';
import { describeError } from '../errors';
import { useHomeTimeline } from '../timeline/useHomeTimeline';

/** The mark the benchmark and the browser tests read: the first page of the timeline is on screen. */
export const TIMELINE_PAINTED = 'chirp:timeline-painted';
let painted = false;

export function Home() {
  const timeline = useHomeTimeline();
  const top = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (painted || !timeline.loaded) return;
    painted = true;
    // After the browser has painted the frame that holds the page.
    requestAnimationFrame(() => setTimeout(() => performance.mark(TIMELINE_PAINTED), 0));
  }, [timeline.loaded]);

  const reveal = async () => {
    await timeline.reveal();
    window.scrollTo({ top: 0 });
    top.current?.focus();
  };

  return (
    <main>
      <h1 ref={top} tabIndex={-1}>
        Home
      </h1>
      <Composer onPosted={(tweet) => timeline.putOnTop([tweet])} />
      <div className="new-tweets" aria-live="polite">
        {timeline.waiting > 0 ? (
          <button type="button" onClick={reveal} data-testid="new-tweets">
            Show {timeline.waiting} new {timeline.waiting === 1 ? 'tweet' : 'tweets'}
          </button>
        ) : null}
      </div>
      {timeline.error && !timeline.loaded ? (
        <div>
          <ProblemNote problem={describeError(timeline.error)} />
          <button type="button" onClick={() => void timeline.retry().catch(() => undefined)}>
            Try again
          </button>
        </div>
      ) : null}
      <PagedList
        label="Your timeline"
        hasMore={timeline.hasMore}
        loading={timeline.loading}
        onMore={timeline.loadMore}
        empty={timeline.loaded && timeline.tweets.length === 0}
        emptyText="Nothing here yet. Post something, or follow people to see what they post."
        endText="You're all caught up: that's everything in your timeline."
      >
        {timeline.tweets.map((tweet) => (
          <TweetCard key={tweet.id} tweet={tweet} />
        ))}
      </PagedList>
      {timeline.error && timeline.loaded ? <ProblemNote problem={describeError(timeline.error)} /> : null}
    </main>
  );
}
