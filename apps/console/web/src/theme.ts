import { Alert, Badge, Button, createTheme, NavLink, Select, type CSSVariablesResolver } from '@mantine/core';

/**
 * Mantine's defaults with contrast fixed for WCAG AA: filled colours use shade 8, and text on a filled colour is
 * black or white, whichever keeps 4.5:1 (luminance threshold 0.179 is where both sides have it).
 */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 8, dark: 8 },
  autoContrast: true,
  luminanceThreshold: 0.179,
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  components: {
    // The light variant's title is shade 9 on shade 1, under 4.5:1 for green, orange and yellow: keep it text-coloured.
    Alert: Alert.extend({ styles: { title: { color: 'var(--mantine-color-text)' } } }),
    // Badges say their words as written ("Needs a person"), not in capitals.
    Badge: Badge.extend({ defaultProps: { variant: 'filled', autoContrast: true, tt: 'none' } }),
    Button: Button.extend({ defaultProps: { autoContrast: true } }),
    // The active link keeps its background under the pointer (the hover shade is under 4.5:1 with its text).
    NavLink: NavLink.extend({ vars: () => ({ root: { '--nl-hover': 'var(--mantine-primary-color-light)' }, children: {} }) }),
    // The options exist only while open: a closed Select is one element labelled by its label, not two.
    Select: Select.extend({ defaultProps: { comboboxProps: { keepMounted: false }, allowDeselect: false } }),
  },
});

/** Secondary text and error messages dark enough for 4.5:1 on white. */
export const cssVariablesResolver: CSSVariablesResolver = (resolved) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': resolved.colors.gray[7],
    '--mantine-color-error': resolved.colors.red[9],
    '--mantine-color-placeholder': resolved.colors.gray[6],
  },
  dark: {},
});
