import type { DeliveryMessageV1 } from '@flotilla/contracts';
import { splitHandOff } from './local-hand-off';

const delivery = (id: string, endpointId: string): DeliveryMessageV1 => ({
  v: 1,
  delivery_id: id,
  event_id: `event-${id}`,
  endpoint_id: endpointId,
  project_id: 'project',
  origin: 'route',
});

const ids = (messages: readonly DeliveryMessageV1[]): string[] =>
  messages.map((message) => message.delivery_id);

describe('splitHandOff', () => {
  const owned = new Set(['mine', 'mine-ordered']);
  const options = {
    owns: (endpointId: string) => owned.has(endpointId),
    ordered: new Set(['mine-ordered']),
    room: 10,
    roomFor: () => 10,
  };

  it('keeps the deliveries of endpoints this replica owns, and sends the rest through the topic', () => {
    const split = splitHandOff([delivery('a', 'mine'), delivery('b', 'theirs')], options);
    expect([ids(split.local), ids(split.viaTopic)]).toEqual([['a'], ['b']]);
  });

  it('sends an ordered endpoint’s deliveries through the topic even when it owns the endpoint', () => {
    const split = splitHandOff([delivery('a', 'mine-ordered')], options);
    expect([ids(split.local), ids(split.viaTopic)]).toEqual([[], ['a']]);
  });

  it('keeps no more than there is room for; the rest go through the topic', () => {
    const split = splitHandOff(
      [delivery('a', 'mine'), delivery('b', 'mine'), delivery('c', 'mine')],
      { ...options, room: 2 },
    );
    expect([ids(split.local), ids(split.viaTopic)]).toEqual([['a', 'b'], ['c']]);
  });

  it('keeps no more for one endpoint than it has room for; its others go through the topic', () => {
    const split = splitHandOff(
      [delivery('a', 'mine'), delivery('b', 'mine'), delivery('c', 'mine')],
      { ...options, roomFor: () => 1 },
    );
    expect([ids(split.local), ids(split.viaTopic)]).toEqual([['a'], ['b', 'c']]);
  });
});
