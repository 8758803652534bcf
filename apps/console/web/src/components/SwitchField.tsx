import { Box, Switch, Text, type SwitchProps } from '@mantine/core';
import { useId } from 'react';

/**
 * A Switch whose description sits outside its <label>: Mantine's label wraps the description too, which would make
 * the description part of the switch's name. Here the name is the label alone and the description describes it.
 */
export function SwitchField({ description, id, ...props }: Omit<SwitchProps, 'description'> & { description?: string; id?: string }) {
  const generated = useId();
  const inputId = id ?? generated;
  const descriptionId = `${inputId}-help`;
  return (
    <Box>
      <Switch id={inputId} aria-describedby={description ? descriptionId : undefined} {...props} />
      {description && (
        <Text id={descriptionId} size="xs" c="dimmed" mt={2} pl={props.size === 'md' ? 64 : 48}>
          {description}
        </Text>
      )}
    </Box>
  );
}
