// Placeholder until this view lands.
import { PageHeader } from '../../ui/controls.tsx';

export function InspectorView({ args }: { args: string[] }) {
  void args; return <div className="page"><PageHeader title="InspectorView" /></div>;
}
