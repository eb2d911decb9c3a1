// Placeholder until this view lands.
import { PageHeader } from '../../ui/controls.tsx';

export function AgentsView({ args }: { args: string[] }) {
  void args; return <div className="page"><PageHeader title="AgentsView" /></div>;
}
