import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { useMutation } from '@apollo/client/react';
import { SignUp as SignUpMutation } from '../operations';
import { describeError, type Problem } from '../errors';
import { startSession } from '../session';
import { Field } from '../components/Field';
import { ProblemNote, useRetryCountdown } from '../components/ProblemNote';

const EMPTY = { handle: '', email: '', password: '', firstName: '', lastName: '' };

export function SignUp() {
  const [form, setForm] = useState(EMPTY);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [signUp, { loading }] = useMutation(SignUpMutation);
  const wait = useRetryCountdown(problem);
  const set = (name: keyof typeof EMPTY) => (value: string) => setForm((current) => ({ ...current, [name]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const { data } = await signUp({ variables: { input: form } });
      if (data) startSession({ token: data.signUp.token, userId: data.signUp.user.id, handle: data.signUp.user.handle });
    } catch (error) {
      setProblem(describeError(error));
    }
  };

  const field = { problem, required: true };
  return (
    <main className="narrow">
      <h1>Join Chirp</h1>
      <form onSubmit={submit} aria-label="Sign up">
        <Field label="First name" name="firstName" autoComplete="given-name" value={form.firstName} onChange={set('firstName')} {...field} />
        <Field label="Last name" name="lastName" autoComplete="family-name" value={form.lastName} onChange={set('lastName')} {...field} />
        <Field
          label="Handle"
          name="handle"
          autoComplete="username"
          value={form.handle}
          onChange={set('handle')}
          hint="1 to 15 letters, digits or underscores: people find you at /u/handle."
          maxLength={15}
          pattern="[A-Za-z0-9_]{1,15}"
          {...field}
        />
        <Field label="Email" name="email" type="email" autoComplete="email" value={form.email} onChange={set('email')} {...field} />
        <Field label="Password" name="password" type="password" autoComplete="new-password" value={form.password} onChange={set('password')} hint="8 to 128 characters." minLength={8} maxLength={128} {...field} />
        {problem && !(problem.field && problem.field in EMPTY) ? <ProblemNote problem={problem} /> : null}
        <button type="submit" disabled={loading || wait > 0}>
          {loading ? 'Creating your account…' : 'Sign up'}
        </button>
      </form>
      <p>
        Already have an account? <Link href="/login">Log in</Link>
      </p>
    </main>
  );
}
