// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Opening a device for zeroing: every safety check that needs no I/O, in the
 * order a user would want to hear about them.  The exclusive open is what
 * actually keeps others (mounts, other O_EXCL openers) out while we write.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

struct pmdzero_dev *pmdzero_open(const char *path, unsigned int flags,
				 struct pmdzero_error *err)
{
	struct pmdzero_dev *dev;
	struct stat st, fst;
	int fd, ret, oflags;

	pz_error_clear(err);
	ret = pz_stat_blockdev(path, &st, err);
	if (ret)
		return NULL;
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		pz_error(err, -ENOMEM, "out of memory");
		return NULL;
	}
	dev->fd = -1;
	dev->flags = flags;
	snprintf(dev->probe.path, sizeof(dev->probe.path), "%s", path);

	/* Probe through a plain read-only descriptor first: it claims
	 * nothing and reads no data. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pz_error(err, -errno, "cannot open: %s", strerror(errno));
		goto fail;
	}
	ret = pz_probe_fd(fd, st.st_rdev, 0, &dev->probe, err);
	if (ret) {
		close(fd);
		goto fail;
	}
	if (!(flags & PMDZERO_OPEN_WRITE)) {
		dev->fd = fd;
		return dev;
	}
	close(fd);

	if (dev->probe.read_only) {
		pz_error(err, -EROFS, "device is read-only");
		goto fail;
	}
	if (!(flags & PMDZERO_OPEN_FORCE)) {
		if (dev->probe.mounted) {
			pz_error(err, -EBUSY, "device is in use (mounted on %s); use --force to override",
				 dev->probe.mountpoint);
			goto fail;
		}
		if (dev->probe.holders) {
			pz_error(err, -EBUSY, "device is in use (held by %s); use --force to override",
				 dev->probe.holder);
			goto fail;
		}
	}

	/* Exclusive whenever possible, forced or not; forced, a device that
	 * another holder keeps busy is opened shared. */
	oflags = O_RDWR | O_CLOEXEC | O_EXCL;
	fd = open(path, oflags);
	if (fd < 0 && errno == EBUSY && (flags & PMDZERO_OPEN_FORCE)) {
		oflags &= ~O_EXCL;
		fd = open(path, oflags);
	}
	if (fd < 0) {
		ret = -errno;
		if (ret == -EBUSY && (oflags & O_EXCL))
			pz_error(err, ret, "device is in use (opened exclusively elsewhere); use --force to override");
		else if (ret == -EROFS)
			pz_error(err, ret, "device is read-only: %s", strerror(-ret));
		else
			pz_error(err, ret, "cannot open for writing: %s", strerror(-ret));
		goto fail;
	}
	/* The path might have been replaced between stat() and open(). */
	if (fstat(fd, &fst) || !S_ISBLK(fst.st_mode) || fst.st_rdev != st.st_rdev) {
		close(fd);
		pz_error(err, -ESTALE, "device changed while being opened");
		goto fail;
	}
	dev->fd = fd;
	dev->exclusive = !!(oflags & O_EXCL);
	return dev;
fail:
	free(dev);
	return NULL;
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
