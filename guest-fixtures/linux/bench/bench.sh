# The shell workload of tests/bench/linux.py, typed at the prompt as `sh /etc/bench.sh`. Each
# phase ends with a marker line the benchmark times; the checksums are compared across emulators.
echo "bench: start"
for i in $(seq 200); do /bin/true; done
echo "bench: forkexec done"
/bin/pagefault
echo "bench: pagefault done"
/bin/pingpong 2000
echo "bench: pingpong done"
/bin/cpu
echo "bench: cpu done"
poweroff -f
