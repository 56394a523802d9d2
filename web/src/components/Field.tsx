import { useId, type InputHTMLAttributes } from 'react';
import { isAbout, type Problem } from '../errors';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange'> {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  /** The form's problem: shown here when it is about this field. */
  problem: Problem | null;
  hint?: string;
}

/** A labelled input whose problem, when the API names it, is said right under it. */
export function Field({ label, name, value, onChange, problem, hint, ...input }: FieldProps) {
  const id = useId();
  const mine = isAbout(problem, name);
  const described = [hint ? `${id}-hint` : '', mine ? `${id}-problem` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={mine}
        aria-describedby={described || undefined}
        {...input}
      />
      {hint ? (
        <small id={`${id}-hint`} className="quiet">
          {hint}
        </small>
      ) : null}
      {mine && problem ? (
        <small id={`${id}-problem`} className="field-problem" role="alert">
          {problem.message}
        </small>
      ) : null}
    </div>
  );
}
