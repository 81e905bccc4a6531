package miniotest

import "syscall"

// procAttr has the kernel kill MinIO if the test binary dies without stopping it (a -timeout
// panic, a kill): no server is left running after the tests.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
