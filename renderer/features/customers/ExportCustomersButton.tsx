import { useApi } from '../../app/context';
import { ExportMenu } from '../../app/ExportMenu';

/** Exports the customers in scope as CSV or JSON. */
export function ExportCustomersButton({ size = 'middle' }: { size?: 'small' | 'middle' }) {
  const api = useApi();
  return <ExportMenu size={size} run={(format) => api.exportCustomers({ format })} />;
}
