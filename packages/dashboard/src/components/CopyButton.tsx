import { useEffect, useState } from 'preact/hooks';

async function copyText(text: string, fallbackInput: HTMLInputElement | null): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain http on another host than localhost has no Clipboard API: fall back to selecting the field.
  if (!fallbackInput) throw new Error('no clipboard');
  fallbackInput.select();
  if (!document.execCommand('copy')) throw new Error('copy refused');
}

export function CopyButton({ text, label, input }: { text: string; label: string; input: () => HTMLInputElement | null }) {
  const [result, setResult] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (result === 'idle') return;
    const timer = setTimeout(() => setResult('idle'), 4000);
    return () => clearTimeout(timer);
  }, [result]);
  const onClick = () => copyText(text, input()).then(() => setResult('copied'), () => setResult('failed'));
  return (
    <>
      <button type="button" class="button" onClick={onClick} aria-label={label}>
        {result === 'copied' ? 'Copied' : 'Copy'}
      </button>
      <span class="copy-status" role="status">
        {result === 'copied' ? 'Copied to the clipboard.' : result === 'failed' ? 'Could not copy: select the key and copy it by hand.' : ''}
      </span>
    </>
  );
}
