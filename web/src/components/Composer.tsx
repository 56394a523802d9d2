import { useId, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import { PostTweet } from '../operations';
import { describeError, type Problem } from '../errors';
import { MAX_RAW_LENGTH, useTweetLength } from '../text';
import { ProblemNote, useRetryCountdown } from './ProblemNote';
import { TweetLengthMeter } from './TweetLength';
import type { TweetFieldsFragment } from '../gql/graphql';

/** Writes a tweet; the posted tweet goes to `onPosted` at once, as the API returns it whole. */
export function Composer({ onPosted }: { onPosted: (tweet: TweetFieldsFragment) => void }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [post, { loading }] = useMutation(PostTweet);
  const wait = useRetryCountdown(problem);
  const id = useId();
  const length = useTweetLength(text);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!length.postable || loading) return;
    try {
      const { data } = await post({ variables: { text } });
      if (data) onPosted(data.postTweet);
      setText('');
      setProblem(null);
    } catch (error) {
      setProblem(describeError(error));
    }
  };

  return (
    <form className="composer" onSubmit={submit} aria-label="Post a tweet">
      <label htmlFor={`${id}-text`} className="visually-hidden">
        What's happening?
      </label>
      <textarea
        id={`${id}-text`}
        name="text"
        placeholder="What's happening?"
        value={text}
        maxLength={MAX_RAW_LENGTH}
        rows={3}
        onChange={(event) => setText(event.target.value)}
        aria-describedby={`${id}-length${problem ? ` ${id}-problem` : ''}`}
        aria-invalid={length.remaining < 0 || problem?.field === 'text'}
      />
      <div className="composer-actions">
        <TweetLengthMeter length={length} id={`${id}-length`} />
        <button type="submit" disabled={!length.postable || loading || wait > 0}>
          {loading ? 'Posting…' : 'Post'}
        </button>
      </div>
      <ProblemNote problem={problem} id={`${id}-problem`} />
    </form>
  );
}
