// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Opening a device for zeroing: every safety check that needs no I/O, in the
 * order a user would want to hear about them, made on the probe the caller
 * already has (pmdzero_open() probes first).  The exclusive open is what
 * actually keeps others (mounts, other O_EXCL openers) out while we write.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"

struct pmdzero_dev *pmdzero_open_probe(const struct pmdzero_probe *p, unsigned int flags,
				       struct pmdzero_error *err)
{
	struct pmdzero_dev *dev;
	struct stat st;
	int fd, ret, oflags;

	pz_error_clear(err);
	if (flags & PMDZERO_OPEN_WRITE) {
		if (p->read_only) {
			pz_error(err, -EROFS, "device is read-only");
			return NULL;
		}
		if (!(flags & PMDZERO_OPEN_FORCE) && p->mounted) {
			pz_error(err, -EBUSY, "device is in use (mounted on %s); use --force to override",
				 p->mountpoint);
			return NULL;
		}
		if (!(flags & PMDZERO_OPEN_FORCE) && p->holders) {
			pz_error(err, -EBUSY, "device is in use (held by %s); use --force to override",
				 p->holder);
			return NULL;
		}
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		pz_error(err, -ENOMEM, "out of memory");
		return NULL;
	}
	dev->flags = flags;
	dev->probe = *p;

	/* Exclusive whenever possible, forced or not; forced, a device that
	 * another holder keeps busy is opened shared. */
	oflags = O_CLOEXEC | ((flags & PMDZERO_OPEN_WRITE) ? O_RDWR | O_EXCL : O_RDONLY);
	fd = open(p->path, oflags);
	if (fd < 0 && errno == EBUSY && (flags & PMDZERO_OPEN_FORCE)) {
		oflags &= ~O_EXCL;
		fd = open(p->path, oflags);
	}
	if (fd < 0) {
		ret = -errno;
		if (!(flags & PMDZERO_OPEN_WRITE))
			pz_error(err, ret, "cannot open: %s", strerror(-ret));
		else if (ret == -EBUSY && (oflags & O_EXCL))
			pz_error(err, ret, "device is in use (opened exclusively elsewhere); use --force to override");
		else if (ret == -EROFS)
			pz_error(err, ret, "device is read-only: %s", strerror(-ret));
		else
			pz_error(err, ret, "cannot open for writing: %s", strerror(-ret));
		free(dev);
		return NULL;
	}
	/* The path might have been replaced since it was probed. */
	if (fstat(fd, &st) || !S_ISBLK(st.st_mode) ||
	    st.st_rdev != makedev(p->major, p->minor)) {
		close(fd);
		free(dev);
		pz_error(err, -ESTALE, "device changed while being opened");
		return NULL;
	}
	dev->fd = fd;
	dev->exclusive = !!(oflags & O_EXCL);
	return dev;
}

struct pmdzero_dev *pmdzero_open(const char *path, unsigned int flags,
				 struct pmdzero_error *err)
{
	struct pmdzero_probe p;

	/* The probe goes through a plain read-only descriptor: it claims
	 * nothing and reads no data. */
	if (pz_probe_path(path, 0, &p, err))
		return NULL;
	return pmdzero_open_probe(&p, flags, err);
}

void pmdzero_close(struct pmdzero_dev *dev)
{
	if (!dev)
		return;
	if (dev->fd >= 0)
		close(dev->fd);
	free(dev);
}

const struct pmdzero_probe *pmdzero_dev_probe(const struct pmdzero_dev *dev)
{
	return &dev->probe;
}

int pmdzero_dev_fd(const struct pmdzero_dev *dev)
{
	return dev->fd;
}

int pmdzero_dev_exclusive(const struct pmdzero_dev *dev)
{
	return dev->exclusive;
}

int pmdzero_dev_probe_signatures(struct pmdzero_dev *dev, struct pmdzero_error *err)
{
	pz_error_clear(err);
	return pz_probe_signatures(&dev->probe, dev->fd, err);
}
