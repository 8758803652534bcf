import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A table that scrolls sideways on a narrow screen instead of widening the page. The scrolling box is focusable
 * (and so a named region), so keyboard users can scroll it too.
 */
export function TableScroll({ label, minWidth, children }: { label: string; minWidth: number; children: ReactNode }) {
  return (
    <Table.ScrollContainer
      type="native"
      minWidth={minWidth}
      tabIndex={0}
      role="region"
      aria-label={label}
      // Keeps visually hidden header text (absolutely positioned) inside the scrolling box.
      style={{ position: 'relative' }}
    >
      {children}
    </Table.ScrollContainer>
  );
}
