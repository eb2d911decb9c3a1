// Placeholder until this view lands.
import { PageHeader } from '../../ui/controls.tsx';

export function SettingsView() {
  return <div className="page"><PageHeader title="SettingsView" /></div>;
}
