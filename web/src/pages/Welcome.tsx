import { Link } from 'wouter';

export function Welcome() {
  return (
    <main className="narrow welcome">
      <h1>Chirp</h1>
      <p>Short posts from the people you follow, as they happen.</p>
      <p className="actions">
        <Link href="/signup" className="button">
          Sign up
        </Link>
        <Link href="/login" className="button secondary">
          Log in
        </Link>
      </p>
    </main>
  );
}
