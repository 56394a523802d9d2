import { MAX_WEIGHTED_LENGTH, type TweetLength } from '../text';

/** How much is left of the 280, as the person types; a warning near the end, the excess past it. */
export function TweetLengthMeter({ length, id }: { length: TweetLength; id: string }) {
  const { remaining, weighted } = length;
  const state = remaining < 0 ? 'over' : remaining <= 20 ? 'near' : 'ok';
  return (
    <span id={id} className={`meter ${state}`} data-testid="tweet-length" aria-live={state === 'ok' ? 'off' : 'polite'}>
      <progress value={Math.min(weighted, MAX_WEIGHTED_LENGTH)} max={MAX_WEIGHTED_LENGTH} aria-hidden="true" />
      {remaining < 0 ? `${-remaining} over the limit` : `${remaining} left`}
    </span>
  );
}
