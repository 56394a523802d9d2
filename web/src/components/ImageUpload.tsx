import { useEffect, useId, useState } from 'react';
import { useMutation } from '@apollo/client/react';
import { CreateMediaUpload, SetAvatar, SetBanner } from '../operations';
import { describeError, type Problem } from '../errors';
import { ProblemNote } from './ProblemNote';

/** What the API takes (createMediaUpload's description). */
const TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const LIMITS = { AVATAR: 5 * 1024 * 1024, BANNER: 10 * 1024 * 1024 };
const NAMES = { AVATAR: 'avatar', BANNER: 'banner' };

type Kind = keyof typeof LIMITS;
type Step = { name: 'choosing' } | { name: 'uploading'; percent: number } | { name: 'processing' } | { name: 'done' };

/**
 * A new avatar or banner: chosen and previewed here, sent straight to
 * storage with the presigned form createMediaUpload gives (so its bytes
 * never pass through the API), then made current by setAvatar/setBanner.
 */
export function ImageUpload({ kind, current }: { kind: Kind; current: string | null }) {
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [step, setStep] = useState<Step>({ name: 'choosing' });
  const [problem, setProblem] = useState<Problem | null>(null);
  const [createUpload] = useMutation(CreateMediaUpload);
  const [setAvatar] = useMutation(SetAvatar);
  const [setBanner] = useMutation(SetBanner);
  const name = NAMES[kind];

  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);

  const choose = (chosen: File | undefined) => {
    setProblem(null);
    setStep({ name: 'choosing' });
    if (!chosen) return;
    if (!TYPES.includes(chosen.type)) return refuse(`A ${name} must be a JPEG, PNG or WebP picture.`);
    if (chosen.size > LIMITS[kind]) return refuse(`A ${name} can be at most ${LIMITS[kind] / 1024 / 1024} MB; this file is ${(chosen.size / 1024 / 1024).toFixed(1)} MB.`);
    setFile(chosen);
    setPreview(URL.createObjectURL(chosen));
  };
  const refuse = (message: string) => {
    setFile(null);
    setPreview(null);
    setProblem({ code: 'BAD_USER_INPUT', message, field: 'file' });
  };

  const upload = async () => {
    if (!file) return;
    try {
      setStep({ name: 'uploading', percent: 0 });
      const { data } = await createUpload({ variables: { kind, contentType: file.type, byteSize: file.size } });
      if (!data) throw new Error('no upload form');
      const form = data.createMediaUpload;
      await postForm(form.url, form.fields, file, (percent) => setStep({ name: 'uploading', percent }));
      setStep({ name: 'processing' });
      if (kind === 'AVATAR') await setAvatar({ variables: { uploadId: form.id } });
      else await setBanner({ variables: { uploadId: form.id } });
      setStep({ name: 'done' });
      setFile(null);
      setPreview(null);
    } catch (error) {
      setStep({ name: 'choosing' });
      setProblem(error instanceof UploadFailed ? { code: 'NETWORK', message: error.message } : describeError(error));
    }
  };

  const shown = preview ?? current;
  return (
    <fieldset className={`image-upload upload-${kind.toLowerCase()}`}>
      <legend>{kind === 'AVATAR' ? 'Avatar' : 'Banner'}</legend>
      {shown ? <img src={shown} alt={preview ? `Preview of your new ${name}` : `Your ${name}`} className="preview" /> : <p className="quiet">No {name} yet.</p>}
      <label htmlFor={id}>Choose a picture (JPEG, PNG or WebP, at most {LIMITS[kind] / 1024 / 1024} MB)</label>
      <input id={id} type="file" accept={TYPES.join(',')} onChange={(event) => choose(event.target.files?.[0])} disabled={step.name === 'uploading' || step.name === 'processing'} />
      {step.name === 'uploading' ? (
        <label className="progress">
          Uploading… {step.percent}%
          <progress value={step.percent} max={100} />
        </label>
      ) : null}
      {step.name === 'processing' ? <p role="status">Processing your {name}…</p> : null}
      {step.name === 'done' ? <p role="status">Your new {name} is saved.</p> : null}
      <ProblemNote problem={problem} />
      <button type="button" onClick={upload} disabled={!file || step.name === 'uploading' || step.name === 'processing'}>
        Upload {name}
      </button>
    </fieldset>
  );
}

class UploadFailed extends Error {}

/** The presigned POST: every field in order, then the file; XMLHttpRequest, because fetch reports no upload progress. */
function postForm(url: string, fields: Array<{ name: string; value: string }>, file: File, onProgress: (percent: number) => void): Promise<void> {
  const body = new FormData();
  for (const field of fields) body.append(field.name, field.value);
  body.append('file', file);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', url);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(Math.round((event.loaded / event.total) * 100));
    request.onload = () =>
      request.status >= 200 && request.status < 300 ? resolve() : reject(new UploadFailed(`The picture could not be stored (${request.status}). Please try again.`));
    request.onerror = () => reject(new UploadFailed("The picture could not be sent: the connection failed. Please try again."));
    request.send(body);
  });
}
