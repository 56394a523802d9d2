/** A person's picture, or their initials on a colour of their own when they have none. */
export function Avatar({ url, name, size = 48 }: { url: string | null | undefined; name: string; size?: number }) {
  const style = { width: size, height: size };
  if (url) return <img className="avatar" src={url} alt="" width={size} height={size} style={style} loading="lazy" />;
  const initials = name
    .split(/\s+/)
    .map((word) => word[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  return (
    <span className="avatar placeholder" aria-hidden="true" style={{ ...style, fontSize: size / 2.6, background: colourOf(name) }}>
      {initials}
    </span>
  );
}

/** A stable, dark enough hue per name: white initials on it pass 4.5:1. */
function colourOf(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return `hsl(${Math.abs(hash) % 360} 55% 32%)`;
}
