import { useId, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { useMutation } from '@apollo/client/react';
import { DeleteTweet, EditTweet, LikeTweet, UnlikeTweet } from '../operations';
import { describeError, type Problem } from '../errors';
import { MAX_RAW_LENGTH, fullDate, linkify, useTweetLength, timeAgo } from '../text';
import { useSession } from '../session';
import type { TweetFieldsFragment } from '../gql/graphql';
import { Avatar } from './Avatar';
import { ProblemNote } from './ProblemNote';
import { TweetLengthMeter } from './TweetLength';

type Mode = 'reading' | 'editing' | 'confirming-delete';

/** One tweet: who, when, what; like for everyone; edit and delete for its author. */
export function TweetCard({ tweet }: { tweet: TweetFieldsFragment }) {
  const session = useSession();
  const [mode, setMode] = useState<Mode>('reading');
  const [problem, setProblem] = useState<Problem | null>(null);
  const mine = session?.userId === tweet.author.id;
  const { author } = tweet;

  return (
    <article className="tweet" data-testid="tweet" data-tweet-id={tweet.id} aria-labelledby={`tweet-${tweet.id}-author`}>
      <Avatar url={author.avatarUrl} name={author.displayName} />
      <div className="tweet-body">
        <header>
          <Link href={`/u/${author.handle}`} className="author" id={`tweet-${tweet.id}-author`}>
            <strong>{author.displayName}</strong> <span className="quiet">@{author.handle}</span>
          </Link>
          <span className="quiet">
            {' · '}
            <time dateTime={tweet.createdAt} title={fullDate(tweet.createdAt)}>
              {timeAgo(tweet.createdAt)}
            </time>
            {tweet.editedAt ? <span title={`Edited ${fullDate(tweet.editedAt)}`}> · edited</span> : null}
          </span>
        </header>
        {mode === 'editing' ? (
          <TweetEditor tweet={tweet} onDone={() => setMode('reading')} />
        ) : (
          <p className="tweet-text" data-testid="tweet-text">
            {linkify(tweet.text).map((part, index) =>
              part.kind === 'link' ? (
                <a key={index} href={part.href} rel="noopener noreferrer nofollow ugc" target="_blank">
                  {part.text}
                </a>
              ) : (
                part.text
              ),
            )}
          </p>
        )}
        <footer className="tweet-actions">
          {session ? (
            <LikeButton tweet={tweet} onProblem={setProblem} />
          ) : (
            <span className="like-count quiet">
              {tweet.likeCount} {tweet.likeCount === 1 ? 'like' : 'likes'}
            </span>
          )}
          {mine && mode === 'reading' ? (
            <>
              <button type="button" className="link" onClick={() => setMode('editing')}>
                Edit
              </button>
              <button type="button" className="link danger" onClick={() => setMode('confirming-delete')}>
                Delete
              </button>
            </>
          ) : null}
        </footer>
        {mode === 'confirming-delete' ? <DeleteConfirmation tweet={tweet} onCancel={() => setMode('reading')} onProblem={setProblem} /> : null}
        <ProblemNote problem={problem} />
      </div>
    </article>
  );
}

function LikeButton({ tweet, onProblem }: { tweet: TweetFieldsFragment; onProblem: (problem: Problem | null) => void }) {
  const [like] = useMutation(LikeTweet);
  const [unlike] = useMutation(UnlikeTweet);
  const liked = tweet.likedByViewer;
  const toggle = async () => {
    // Shown at once; the answer's exact count replaces the guess.
    const guess = { __typename: 'Tweet' as const, id: tweet.id, likedByViewer: !liked, likeCount: Math.max(0, tweet.likeCount + (liked ? -1 : 1)) };
    const variables = { id: tweet.id };
    try {
      if (liked) await unlike({ variables, optimisticResponse: { unlikeTweet: guess } });
      else await like({ variables, optimisticResponse: { likeTweet: guess } });
      onProblem(null);
    } catch (error) {
      onProblem(describeError(error));
    }
  };
  return (
    <button type="button" className={`like ${liked ? 'liked' : ''}`} aria-pressed={liked} onClick={toggle} data-testid="like">
      <span aria-hidden="true">{liked ? '♥' : '♡'}</span> <span className="visually-hidden">{liked ? 'Unlike' : 'Like'}, </span>
      <span data-testid="like-count">{tweet.likeCount}</span>
      <span className="visually-hidden"> {tweet.likeCount === 1 ? 'like' : 'likes'}</span>
    </button>
  );
}

function TweetEditor({ tweet, onDone }: { tweet: TweetFieldsFragment; onDone: () => void }) {
  const [text, setText] = useState(tweet.text);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [edit, { loading }] = useMutation(EditTweet);
  const id = useId();
  const length = useTweetLength(text);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await edit({ variables: { id: tweet.id, text } });
      onDone();
    } catch (error) {
      setProblem(describeError(error));
    }
  };
  return (
    <form onSubmit={save} className="tweet-editor" aria-label="Edit tweet">
      <label htmlFor={`${id}-text`} className="visually-hidden">
        Tweet text
      </label>
      <textarea id={`${id}-text`} value={text} maxLength={MAX_RAW_LENGTH} rows={3} autoFocus onChange={(event) => setText(event.target.value)} aria-describedby={`${id}-length`} />
      <div className="composer-actions">
        <TweetLengthMeter length={length} id={`${id}-length`} />
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" disabled={!length.postable || loading || text === tweet.text}>
          {loading ? 'Saving…' : 'Save'}
        </button>
      </div>
      <ProblemNote problem={problem} />
    </form>
  );
}

function DeleteConfirmation({ tweet, onCancel, onProblem }: { tweet: TweetFieldsFragment; onCancel: () => void; onProblem: (problem: Problem | null) => void }) {
  const [remove, { loading }] = useMutation(DeleteTweet, {
    // Gone from every list that holds it (their read policies drop what the cache no longer has).
    update(cache) {
      cache.evict({ id: cache.identify({ __typename: 'Tweet', id: tweet.id }) });
      cache.modify({ id: cache.identify({ __typename: 'User', id: tweet.author.id }), fields: { tweetCount: (count: number) => Math.max(0, count - 1) } });
      cache.gc();
    },
  });
  const confirm = async () => {
    try {
      await remove({ variables: { id: tweet.id } });
    } catch (error) {
      onProblem(describeError(error));
    }
  };
  return (
    <div className="confirm" role="group" aria-label="Delete this tweet?">
      <span>Delete this tweet? This can't be undone.</span>
      <button type="button" className="danger" onClick={confirm} disabled={loading} autoFocus>
        {loading ? 'Deleting…' : 'Delete'}
      </button>
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
