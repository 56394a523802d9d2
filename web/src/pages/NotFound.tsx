import { Link } from 'wouter';

export function NotFound({ what = 'There is nothing at this address.' }: { what?: string }) {
  return (
    <main className="narrow">
      <h1>Not found</h1>
      <p>{what}</p>
      <p>
        <Link href="/">Go to your timeline</Link>
      </p>
    </main>
  );
}
