import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';
import { PageTitle } from '../components/common.tsx';

export function NotFoundPage() {
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <Text>
        There is no page here. <Anchor component={Link} to="/">Go to the start page</Anchor>.
      </Text>
    </>
  );
}
