// Placeholder until this view lands.
import { PageHeader } from '../../ui/controls.tsx';

export function ChannelsView() {
  return <div className="page"><PageHeader title="ChannelsView" /></div>;
}
