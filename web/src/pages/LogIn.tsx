import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { useMutation } from '@apollo/client/react';
import { LogIn as LogInMutation } from '../operations';
import { describeError, type Problem } from '../errors';
import { startSession, takeEndReason } from '../session';
import { Field } from '../components/Field';
import { ProblemNote, useRetryCountdown } from '../components/ProblemNote';

export function LogIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [ended] = useState(takeEndReason);
  const [logIn, { loading }] = useMutation(LogInMutation);
  const wait = useRetryCountdown(problem);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const { data } = await logIn({ variables: { input: { email, password } } });
      if (data) startSession({ token: data.logIn.token, userId: data.logIn.user.id, handle: data.logIn.user.handle });
    } catch (error) {
      setProblem(describeError(error));
    }
  };

  return (
    <main className="narrow">
      <h1>Log in to Chirp</h1>
      {ended ? (
        <p className="notice" role="status">
          {ended}
        </p>
      ) : null}
      <form onSubmit={submit} aria-label="Log in">
        <Field label="Email" name="email" type="email" autoComplete="email" required value={email} onChange={setEmail} problem={problem} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={setPassword} problem={problem} />
        {problem && problem.field !== 'email' && problem.field !== 'password' ? <ProblemNote problem={problem} /> : null}
        <button type="submit" disabled={loading || wait > 0}>
          {loading ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p>
        New to Chirp? <Link href="/signup">Create an account</Link>
      </p>
    </main>
  );
}
