import { Paper, Text } from '@mantine/core';
import DOMPurify from 'dompurify';
import { useMemo } from 'react';

/** Nothing of the signature may act on the console: no scripts (DOMPurify's default), no styles, forms or frames. */
const PURIFY_OPTIONS = {
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
  FORBID_ATTR: ['id', 'name'],
};

/** A DOMPurify instance of its own, so the hook below touches nothing else. An image without alt text is decorative here. */
const purifier = DOMPurify(window);
purifier.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName === 'IMG' && !node.hasAttribute('alt')) node.setAttribute('alt', '');
});

export function sanitizeSignature(html: string): string {
  return purifier.sanitize(html, PURIFY_OPTIONS);
}

/** The signature as it will look, sanitised with DOMPurify. */
export function SignaturePreview({ html }: { html: string }) {
  const clean = useMemo(() => sanitizeSignature(html), [html]);
  return (
    <div>
      <Text size="sm" fw={500} mb={4} aria-hidden>
        Preview
      </Text>
      <Paper
        withBorder
        p="sm"
        role="group"
        aria-label="Signature preview"
        className="signature-preview"
        dangerouslySetInnerHTML={{ __html: clean }}
      />
      {clean.trim() === '' && (
        <Text size="sm" c="dimmed" mt={4}>
          No signature: replies end with their text.
        </Text>
      )}
    </div>
  );
}
