import { Button, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { isProjectId, PROJECT_ID_HINT, rememberProject } from '../projects.ts';

/**
 * Type a project id; opens it. (No datalist of recent ones: an input with a list is a combobox, not a textbox, to
 * assistive technology; the recent projects are links on the picker page.)
 */
export function ProjectPicker({
  initial = '',
  buttonLabel,
  onOpen,
  compact = false,
}: {
  initial?: string;
  buttonLabel: string;
  onOpen: (projectId: string) => void;
  compact?: boolean;
}) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const projectId = value.trim();
    if (!isProjectId(projectId)) {
      setError(PROJECT_ID_HINT);
      return;
    }
    setError(null);
    rememberProject(projectId);
    onOpen(projectId);
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="xs" align={compact ? 'stretch' : 'flex-start'}>
        <TextInput
          label="Project"
          value={value}
          onChange={(event) => setValue(event.currentTarget.value)}
          error={error}
          autoComplete="off"
          spellCheck={false}
          maxLength={64}
          placeholder={compact ? undefined : 'e.g. acme'}
          description={compact ? undefined : 'The id of the project, as in the API: letters, digits, "-" or "_".'}
          w={compact ? undefined : '100%'}
          maw={compact ? undefined : 420}
        />
        <Button type="submit" variant={compact ? 'light' : 'filled'}>
          {buttonLabel}
        </Button>
      </Stack>
    </form>
  );
}
