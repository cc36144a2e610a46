"""Execute a notebook as `jupyter nbconvert --to notebook --execute` does, without its rare ten-minute stall.

nbclient waits for a cell's reply with one long poll of the kernel's shell socket (`get_msg(timeout=600)`); with
jupyter_client 7.x's asyncio sockets that poll sometimes misses a reply that has already arrived and returns only at the
deadline (jupyter/nbclient#312, the fix proposed in #311). Lesson 2's `interact` cell hit it about one rehearsal in three: the
cell took two seconds, the wait ten minutes. Here every wait on a kernel socket is cut into polls of at most a second, which
cannot miss a message for longer than that; everything else is nbconvert's own command line.

    python nbexec.py [nbconvert arguments ...]"""
import inspect, sys, time
from queue import Empty
from jupyter_client.asynchronous.client import AsyncKernelClient

async def get_msg(self, timeout=None):
    "A message from this socket within `timeout` seconds (None: wait for ever), polling a second at a time"
    end = None if timeout is None else time.monotonic() + timeout
    while True:
        left = 1.0 if end is None else min(1.0, max(0.0, end - time.monotonic()))
        if await self.socket.poll(left * 1000): return await self._recv()
        if end is not None and time.monotonic() >= end: raise Empty

channel = AsyncKernelClient.shell_channel_class.default_value     # jupyter_client 7: ZMQSocketChannel, 8: AsyncZMQSocketChannel
assert inspect.iscoroutinefunction(channel.get_msg) and hasattr(channel, '_recv'), f'{channel} is not the asyncio channel nbexec patches'
channel.get_msg = get_msg

if __name__ == '__main__':
    from nbconvert.nbconvertapp import main
    sys.argv[0] = 'jupyter-nbconvert'
    sys.exit(main())
