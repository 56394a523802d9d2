import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { useMutation, useQuery } from '@apollo/client/react';
import { EditableProfile, LogOutEverywhere, RemoveAvatar, RemoveBanner, UpdateProfile } from '../operations';
import { describeError, type Problem } from '../errors';
import { endSession } from '../session';
import { Field } from '../components/Field';
import { ImageUpload } from '../components/ImageUpload';
import { ProblemNote } from '../components/ProblemNote';

const FIELDS = ['firstName', 'lastName', 'bio', 'website', 'location'] as const;
type Form = Record<(typeof FIELDS)[number], string>;

export function EditProfile() {
  const { data, error } = useQuery(EditableProfile, { fetchPolicy: 'cache-and-network' });
  if (error && !data) return <main><ProblemNote problem={describeError(error)} /></main>;
  const me = data?.me;
  if (!me) return <main aria-busy="true"><p className="quiet">Loading…</p></main>;
  return (
    <main className="narrow">
      <h1>Edit profile</h1>
      <p>
        <Link href={`/u/${me.handle}`}>Back to your profile</Link>
      </p>
      <ProfileForm initial={{ firstName: me.firstName, lastName: me.lastName, bio: me.bio ?? '', website: me.website ?? '', location: me.location ?? '' }} />
      <ImageUpload kind="AVATAR" current={me.largeAvatarUrl} />
      {me.largeAvatarUrl ? <RemoveButton what="avatar" /> : null}
      <ImageUpload kind="BANNER" current={me.bannerUrl} />
      {me.bannerUrl ? <RemoveButton what="banner" /> : null}
      <Sessions />
    </main>
  );
}

function ProfileForm({ initial }: { initial: Form }) {
  const [form, setForm] = useState(initial);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saved, setSaved] = useState(false);
  const [update, { loading }] = useMutation(UpdateProfile);
  const set = (name: keyof Form) => (value: string) => {
    setSaved(false);
    setForm((current) => ({ ...current, [name]: value }));
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      // Blank optional fields are cleared (null), as the API expects.
      const optional = (value: string) => (value.trim() === '' ? null : value);
      await update({ variables: { input: { firstName: form.firstName, lastName: form.lastName, bio: optional(form.bio), website: optional(form.website), location: optional(form.location) } } });
      setProblem(null);
      setSaved(true);
    } catch (caught) {
      setProblem(describeError(caught));
    }
  };
  return (
    <form onSubmit={submit} aria-label="Profile">
      <Field label="First name" name="firstName" required value={form.firstName} onChange={set('firstName')} problem={problem} />
      <Field label="Last name" name="lastName" required value={form.lastName} onChange={set('lastName')} problem={problem} />
      <Field label="Bio" name="bio" value={form.bio} onChange={set('bio')} problem={problem} hint="At most 160 characters." maxLength={160} />
      <Field label="Website" name="website" type="url" value={form.website} onChange={set('website')} problem={problem} placeholder="https://" />
      <Field label="Location" name="location" value={form.location} onChange={set('location')} problem={problem} />
      {problem && !(FIELDS as readonly string[]).includes(problem.field ?? '') ? <ProblemNote problem={problem} /> : null}
      {saved ? <p role="status">Saved.</p> : null}
      <button type="submit" disabled={loading}>
        {loading ? 'Saving…' : 'Save'}
      </button>
    </form>
  );
}

function RemoveButton({ what }: { what: 'avatar' | 'banner' }) {
  const [removeAvatar] = useMutation(RemoveAvatar);
  const [removeBanner] = useMutation(RemoveBanner);
  const [problem, setProblem] = useState<Problem | null>(null);
  const remove = async () => {
    try {
      if (what === 'avatar') await removeAvatar();
      else await removeBanner();
    } catch (caught) {
      setProblem(describeError(caught));
    }
  };
  return (
    <p>
      <button type="button" className="secondary" onClick={remove}>
        Remove {what}
      </button>
      <ProblemNote problem={problem} />
    </p>
  );
}

/** Ends every session of this account, on every device (a lost phone, a shared computer). */
function Sessions() {
  const [logOutEverywhere, { loading }] = useMutation(LogOutEverywhere);
  const [problem, setProblem] = useState<Problem | null>(null);
  const go = async () => {
    try {
      await logOutEverywhere();
      endSession('You logged out everywhere. Log in again to go on here.');
    } catch (caught) {
      setProblem(describeError(caught));
    }
  };
  return (
    <section aria-labelledby="sessions">
      <h2 id="sessions">Sessions</h2>
      <p>Log out on every device where you are logged in, this one included.</p>
      <button type="button" className="secondary danger" onClick={go} disabled={loading}>
        Log out everywhere
      </button>
      <ProblemNote problem={problem} />
    </section>
  );
}
