// Placeholder until this view lands.
import { PageHeader } from '../../ui/controls.tsx';

export function BindingsView() {
  return <div className="page"><PageHeader title="BindingsView" /></div>;
}
